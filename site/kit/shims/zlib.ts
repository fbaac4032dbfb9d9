/**
 * Node's `zlib` for the browser build: the site serves the IDX files unpacked, so nothing calls it;
 * a .gz file that reaches it gets a clear error.
 */
export function gunzipSync(): never {
  throw new Error('sae-lab in the browser: .gz files cannot be unpacked here; the site serves the IDX files unpacked');
}
export default { gunzipSync };
