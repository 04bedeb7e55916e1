import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { navigate } from './router.js';

/** A link that changes the page without a reload (a modified click still opens a new tab). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }): ReactNode {
  const { onClick, ...rest } = props;
  const handle = (e: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...rest} onClick={handle} />;
}
