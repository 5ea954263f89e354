import { checkPromotion } from '../steps/check-promotion.js';
import { checkPromotionInput } from '../steps/contracts.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({
  name: 'check-promotion',
  input: checkPromotionInput,
  run: checkPromotion,
});
