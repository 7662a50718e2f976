import { z } from 'zod';
import { SerialField, TextField } from '../http/fields';

/**
 * Request schemas of tablet authorisation management ("Gestione Autorizzazioni
 * Tablet"), shared by the admin's routes (functions/session) and support's
 * (functions/support) so both validate the table's fields the same way.
 */

export const OperatorField = z
  .object({
    code: TextField(20, 'an operator code'),
    name: TextField(60, 'a name'),
    surname: TextField(60, 'a surname'),
  })
  .strict();

export const PhoneField = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ./()-]{3,30}$/, 'a phone number: digits, spaces and + . / ( ) -, at most 30');

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
  });
