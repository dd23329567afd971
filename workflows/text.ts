/** Text from people outside the MSP (an approver's comment), made safe to put into one line of a thread or a log. */

/** Line breaks and other control characters become one space each run, so the text stays on one line. */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}
