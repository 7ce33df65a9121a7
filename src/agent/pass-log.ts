/** One line of the agent's log: an event name and its fields (journal, stdout or stderr). */
export type PassLog = (event: string, fields: Record<string, unknown>) => void;
