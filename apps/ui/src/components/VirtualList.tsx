/**
 * A windowed list: only the rows in view (plus a few) are in the DOM, so a
 * table of 10,000+ agents scrolls as fast as one of ten. Rows have a fixed
 * height; the scroll container is focusable so the keyboard can scroll it.
 */
import { type ReactNode, useState } from "react";

/** Props of `VirtualList`. */
export interface VirtualListProps {
  readonly itemCount: number;
  readonly rowHeight: number;
  /** Visible height in pixels. */
  readonly height: number;
  readonly overscan?: number;
  readonly label: string;
  readonly renderRow: (index: number) => ReactNode;
}

/** Which rows to render for a scroll position. Pure; exported for tests. */
export function visibleRange(
  scrollTop: number,
  height: number,
  rowHeight: number,
  itemCount: number,
  overscan: number,
): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(itemCount, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The windowed list. */
export function VirtualList(props: VirtualListProps) {
  const { itemCount, rowHeight, height, overscan = 8, label, renderRow } = props;
  const [scrollTop, setScrollTop] = useState(0);
  const { first, last } = visibleRange(scrollTop, height, rowHeight, itemCount, overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i += 1) {
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 2}
        className="vrow"
        style={{ position: "absolute", top: i * rowHeight, height: rowHeight, left: 0, right: 0 }}
      >
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div
      className="vlist"
      role="rowgroup"
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area must be keyboard-scrollable
      tabIndex={0}
      style={{ height, overflowY: "auto", position: "relative" }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: itemCount * rowHeight, position: "relative" }}>{rows}</div>
    </div>
  );
}
