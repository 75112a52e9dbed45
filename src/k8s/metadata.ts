import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Add the organisation's annotations to every ApiObject under `scope` (labels travel with the
 * resolved labels already). Called at the end of a construct's constructor. @internal
 */
export function annotateAll(scope: IConstruct, annotations: Record<string, string>): void {
  const entries = Object.entries(annotations);
  if (!entries.length) return;
  for (const c of scope.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    for (const [k, v] of entries) c.metadata.addAnnotation(k, v);
  }
}
