import { AppError } from '../../../errors.js';

/** A file the importer cannot read, with a reason a person can act on. Status 422 unless said. */
export class ImportError extends AppError {
  constructor(message: string, statusCode = 422) {
    super(statusCode, 'unreadable_questionnaire', message);
  }
}
