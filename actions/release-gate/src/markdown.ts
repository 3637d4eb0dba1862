/** Free text for one Markdown table cell: no HTML, no column breaks, no line breaks. */
export function markdownCell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
