/** Resolves when dist/ is at least as new as every source file, building it when not; throws a one-line reason when it cannot. */
export declare function ensureFreshBuild(): Promise<void>;
