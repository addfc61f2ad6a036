import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { parseConsolePath } from '../shared/api/console-routes.js';
import { useConsole } from './store.js';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

// The overview's first window is asked for before the first render, not after it: its answer
// is what the page waits for. The page's own effect finds it on its way and asks no second time.
if (parseConsolePath(location.pathname).name === 'overview') useConsole.getState().showOverview(true);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
