import * as z from 'zod';
import { OperatorField, PhoneField, SerialField, TextField } from './fields';

/**
 * Request bodies of tablet authorisation management ("Gestione Autorizzazioni
 * Tablet"), shared by the admin's routes (session) and support's (support) so
 * both validate the table's fields the same way.
 */

/** Add a tablet: IMEI serial, model, operator (code, name, surname), phone. */
export const AuthoriseTabletBody = z
  .object({
    serial: SerialField,
    model: TextField(100, 'a model'),
    operator: OperatorField,
    phone: PhoneField,
  })
  .strict();

/** Edit a tablet: any of model, operator, phone. */
export const EditTabletBody = z
  .object({
    model: TextField(100, 'a model').optional(),
    operator: OperatorField.optional(),
    phone: PhoneField.optional(),
  })
  .strict()
  .refine((b) => b.model !== undefined || b.operator !== undefined || b.phone !== undefined, {
    message: 'give a new model, operator or phone',
  })
  .meta({ minProperties: 1 });
