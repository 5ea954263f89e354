/** Rounds of restore-and-read-back before a rollback hands over to a human (src/steps/roll-back.ts). */
export const MAX_ROLLBACK_ROUNDS = 5;
