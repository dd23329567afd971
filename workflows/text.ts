/** Words the workflow and the messages share, and text from people outside the MSP made safe for one line. */
import type { OnboardingRequest } from './types';

/** Line breaks and other control characters become one space each run, so the text stays on one line. */
export function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** "IT Glue" or "MyGlue": the product the invitee uses. */
export function productName(request: Pick<OnboardingRequest, 'kind'>): string {
  return request.kind === 'myglue' ? 'MyGlue' : 'IT Glue';
}
