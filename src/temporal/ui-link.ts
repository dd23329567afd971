/** Links to an onboarding's page in the Temporal UI (TEMPORAL_UI_URL, docs/operations.md): `<ui>/namespaces/<ns>/workflows/<id>`. */

/** The page of workflow `workflowId` in `namespace`, on the UI at `uiUrl`. */
export function workflowPageUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Links for this configuration; null when no Temporal UI is configured. */
export function workflowPages(temporal: { uiUrl: string | null; namespace: string }): ((workflowId: string) => string) | null {
  const { uiUrl, namespace } = temporal;
  return uiUrl ? (workflowId) => workflowPageUrl(uiUrl, namespace, workflowId) : null;
}
