import { useState } from 'react';
import { THEMES, type Theme } from '../../shared/api/settings.js';
import { api } from '../api.js';
import { useConsole } from '../store.js';

const WORDS: Record<Theme, string> = { system: 'Same as the system', light: 'Light', dark: 'Dark' };

/** The console's colours: the system's, or light or dark always. Saved at once with the settings. */
export function ThemeSetting() {
  const theme = useConsole((s) => s.theme);
  const [error, setError] = useState<string | null>(null);
  const choose = async (t: Theme) => {
    const before = theme;
    setError(null);
    useConsole.setState({ theme: t });
    try {
      const saved = await api.saveSettings({ theme: t });
      useConsole.setState({ theme: saved.theme });
    } catch (e) {
      useConsole.setState({ theme: before });
      setError((e as Error).message);
    }
  };
  return (
    <fieldset className="theme-setting">
      <legend>Appearance</legend>
      <div className="radio-row" role="radiogroup" aria-label="Theme">
        {THEMES.map((t) => (
          <label key={t}>
            <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => void choose(t)} /> {WORDS[t]}
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
