/**
 * A windowed table body: only the rows in view (plus a few) are in the DOM,
 * so a table of 10,000+ agents scrolls as fast as one of ten. Rows have a
 * fixed height; spacer rows above and below keep the scroll height right,
 * and the table stays a real `<table>` for screen readers. The scroll area
 * is focusable so the keyboard can scroll it.
 */
import { type ReactNode, useState } from "react";

/** Props of `VirtualTable`. */
export interface VirtualTableProps {
  readonly itemCount: number;
  readonly rowHeight: number;
  /** Visible height in pixels. */
  readonly height: number;
  readonly overscan?: number;
  readonly label: string;
  readonly className?: string;
  /** The `<tr>` of the header. */
  readonly header: ReactNode;
  /** The `<tr>` of row `index`. */
  readonly renderRow: (index: number) => ReactNode;
  /** Column count, for the spacer rows. */
  readonly columns: number;
}

/** Which rows to render for a scroll position. Pure; exported for tests. */
export function visibleRange(
  scrollTop: number,
  height: number,
  rowHeight: number,
  itemCount: number,
  overscan: number,
): { first: number; last: number } {
  const first = Math.max(0, Math.min(itemCount, Math.floor(scrollTop / rowHeight) - overscan));
  const last = Math.min(itemCount, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** The windowed table. */
export function VirtualTable(props: VirtualTableProps) {
  const {
    itemCount,
    rowHeight,
    height,
    overscan = 8,
    label,
    className,
    header,
    renderRow,
    columns,
  } = props;
  const [scrollTop, setScrollTop] = useState(0);
  const { first, last } = visibleRange(scrollTop, height, rowHeight, itemCount, overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i += 1) rows.push(renderRow(i));
  return (
    <section
      className="vscroll"
      aria-label={`${label}, scrollable`}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
      tabIndex={0}
      style={{ maxHeight: height, overflowY: "auto" }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <table className={className} aria-label={label} aria-rowcount={itemCount + 1}>
        <thead>{header}</thead>
        <tbody>
          {first > 0 ? (
            <tr className="spacer" style={{ height: first * rowHeight }}>
              <td colSpan={columns} />
            </tr>
          ) : null}
          {rows}
          {last < itemCount ? (
            <tr className="spacer" style={{ height: (itemCount - last) * rowHeight }}>
              <td colSpan={columns} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
