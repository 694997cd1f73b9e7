// Dissolved into the entities' repositories; kept only until src/outbox/sender.ts imports people.ts directly.
export { peopleWithRole } from './people.ts'
