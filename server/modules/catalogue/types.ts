import type { ControlTheme, ServiceModel } from '../content/tables.js';
import type { ServiceLayer } from '../content/tables.js';

/** A control of the catalogue (ISO/IEC 27002:2022 or an ISO/IEC 27017 cloud control), in the provider's words. */
export interface Control {
  id: string;
  frameworkId: string;
  ref: string;
  title: string;
  theme: ControlTheme;
  description: string;
  keywords: string[];
  focus: string[];
  /** The cloud guidance of ISO/IEC 27017 for this control, in the provider's words, where it adds any. */
  guidance: { clause: string | null; provider: string; customer: string } | null;
}

export interface Service {
  id: string;
  name: string;
  model: ServiceModel;
  summary: string;
  description: string;
  layers: ServiceLayer[];
}
