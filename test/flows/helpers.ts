import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Cluster, loadCluster, Workload } from '../../src/flows/model';
import { K8sObject } from '../../src/policy/types';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixtureObjects(file: string): K8sObject[] {
  return parseAllDocuments(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).map((d) => d.toJS()).filter(Boolean);
}

export function fixture(file: string): Cluster {
  return loadCluster(fixtureObjects(file));
}

export function workload(c: Cluster, id: string): Workload {
  const w = c.workloads.find((x) => x.id === id);
  if (!w) throw new Error(`no ${id}`);
  return w;
}

export function deployment(ns: string, name: string, labels: Record<string, string>,
  ports: { containerPort: number; name?: string; protocol?: string }[] = []): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'example/x:1', ports }] } } },
  };
}

export function policy(ns: string, name: string, spec: Record<string, unknown>): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function namespace(name: string, labels: Record<string, string> = {}): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}
