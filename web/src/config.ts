// Set by the operator at build time (see docs/web.md): VITE_OPERATOR_NAME, VITE_CONTACT_EMAIL.
export const OPERATOR_NAME: string = import.meta.env.VITE_OPERATOR_NAME || "the operator of this CreatorDeck service";
export const CONTACT_EMAIL: string = import.meta.env.VITE_CONTACT_EMAIL || "privacy@example.com";
export const CONTACT_IS_PLACEHOLDER = !import.meta.env.VITE_CONTACT_EMAIL;
