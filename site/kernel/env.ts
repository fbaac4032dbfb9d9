/**
 * The site's settings: the SAE_* variables a kernel starts with (protocol.ts, SETTINGS), read from
 * the page's address and kept in the browser's localStorage, so that they last across reloads and
 * tabs: `lab/index.html?SAE_QUICK=1` turns quick mode on for every notebook opened afterwards,
 * `?SAE_QUICK=0` turns it off, `?SAE_QUICK=` forgets the setting. The kernel checks the values
 * as the kit does in Node (a value it does not understand is an error in the notebook's first cell).
 */
import { SETTINGS } from './protocol';

const PREFIX = 'sae-lab:';

export function siteSettings(search: string, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null): Record<string, string> {
  const params = new URLSearchParams(search);
  const env: Record<string, string> = {};
  for (const name of SETTINGS) {
    const fromUrl = params.get(name);
    if (fromUrl !== null) {
      try {
        if (fromUrl === '') storage?.removeItem(PREFIX + name);
        else storage?.setItem(PREFIX + name, fromUrl);
      } catch { /* storage refused (private mode): the address alone counts */ }
      if (fromUrl !== '') env[name] = fromUrl;
      continue;
    }
    let kept: string | null = null;
    try { kept = storage?.getItem(PREFIX + name) ?? null; } catch { kept = null; }
    if (kept !== null) env[name] = kept;
  }
  return env;
}
