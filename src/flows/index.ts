export * from './model';
export * from './simulate';
export * from './verify';
export * from './graph';
export * from './render';
