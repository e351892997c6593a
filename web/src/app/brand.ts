export const PRODUCT_NAME = 'CRM Console';
