import { useState } from 'react';

/** Copies text to the clipboard and says so for a moment. */
export function CopyButton({ text, label = 'Copy', className }: { text: string; label?: string; className?: string }) {
  const [done, setDone] = useState<'ok' | 'fail' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('ok');
    } catch {
      setDone('fail');
    }
    setTimeout(() => setDone(null), 1500);
  };
  return (
    <button type="button" className={className ?? 'small'} onClick={copy} aria-live="polite">
      {/* Fixed width text choices so the button does not resize (no layout jump). */}
      <span className="copy-label">{done === 'ok' ? 'Copied' : done === 'fail' ? 'Select & copy' : label}</span>
    </button>
  );
}
