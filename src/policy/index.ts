export * from './types';
export * from './rule-set';
export * from './catalogue';
export * from './engine';
export * from './suppressions';
export * from './report';
export { extractPod, selects, createContext } from './model';
export * from './compose';
export * from './errors';
