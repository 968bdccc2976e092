/** The shape of `scenarios/*.scenario.json`: the types generated from schemas/scenario.schema.json. */
export type { Scenario, ScenarioStep, ScenarioExpectation as Expectation } from '@estateflow/definitions';
