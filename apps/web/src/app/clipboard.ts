/**
 * Copying text for the user, with a toast saying what happened. The Clipboard API exists only in secure
 * contexts: a gateway reached over plain http on a non-loopback address has none, so the old selection-based
 * copy is the fallback there.
 */
import { toast } from './toast.js';

export function copyText(text: string, what: string): void {
  const done = (): void => toast(`Copied ${what}`);
  const failed = (): void => toast('The browser did not allow copying');
  if (window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, failed);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the only copy there is outside a secure context
  const ok = document.execCommand('copy');
  area.remove();
  if (ok) done();
  else failed();
}
