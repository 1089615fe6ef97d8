import type { IsmsPracticeItem, ResponsibilityItem } from '../content/types.js';

/** One row of the responsibility matrix, as stored: who does what for one control on one service. */
export type Duty = Omit<ResponsibilityItem, 'id' | 'at' | 'inherited' | 'evidence'> & { evidenceIds: string[] };

/** A responsibility of scope `isms`, as stored: how the provider runs a control for its own organisation. */
export type IsmsPractice = Omit<IsmsPracticeItem, 'id' | 'at' | 'evidence'> & { evidenceIds: string[] };
