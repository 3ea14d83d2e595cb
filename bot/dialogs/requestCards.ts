/** The request cards live in `cards/`; kept here for callers that import them from this module. */
export { confirmationCard, existingRequestCard, statusCard } from '../cards/requestCards';
