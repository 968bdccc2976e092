export { simulateCommand } from './commands/simulate.ts';
export { testCommand } from './commands/test.ts';
export type { Command, CommandIo } from './commands/io.ts';
export { loadBundle, findBundles, paramsFor, BundleError, type LoadedBundle } from './bundle/load-bundle.ts';
export { runScenario, type ScenarioRun, type TimelineEntry } from './scenario/run-scenario.ts';
export { coverageOf, type Coverage } from './scenario/coverage.ts';
export { addDuration } from './scenario/duration.ts';
export type { Scenario, ScenarioStep, Expectation } from './scenario/scenario.ts';
export { patternsCommand, patternsInDatabase, patternsInPaths, type PatternSite } from './commands/patterns.ts';
