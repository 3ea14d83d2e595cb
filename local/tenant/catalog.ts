/**
 * Real Microsoft 365 licensing identifiers used by the seed: SKU part numbers and ids, service
 * plan names and ids, directory role templates. They come from Microsoft's "Product names and
 * service plan identifiers for licensing" reference, so the local tenant answers with the same
 * values a real tenant would. Only the plans the seed uses are listed.
 */
import { ROLE_TEMPLATES } from './ids';

/** Service plan name → servicePlanId. */
export const SERVICE_PLANS = {
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0', // Exchange Online (Plan 2)
  EXCHANGE_S_STANDARD: '9aaf7827-d63c-4b61-89c3-182f06f82e5c', // Exchange Online (Plan 1)
  EXCHANGE_S_FOUNDATION: '113feb6c-3fe4-4440-bddc-54d774bf0318', // Exchange Foundation
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72', // SharePoint (Plan 2)
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1', // SharePoint (Plan 1)
  SHAREPOINTWAC: 'e95bec33-7c88-4a70-8e19-b10bd9d0c014', // Office for the web
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929', // Microsoft Teams
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c', // Skype for Business Online (Plan 2)
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7', // Teams Phone
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40', // Audio Conferencing
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38', // Microsoft 365 Apps for enterprise
  OFFICE_BUSINESS: '094e7854-93fc-4d55-b2c0-3ab5369ebdc1', // Microsoft 365 Apps for business
  OFFICEMOBILE_SUBSCRIPTION: 'c63d4d19-e8cb-460e-b37c-4d6c34603745', // Office Mobile Apps for Office 365 (no desktop apps)
  INTUNE_A: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5', // Microsoft Intune Plan 1
  AAD_PREMIUM: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', // Microsoft Entra ID P1
  AAD_PREMIUM_P2: 'eec0eb4f-6444-4f95-aba0-50c24d67f998', // Microsoft Entra ID P2
  MFA_PREMIUM: '8a256a2b-b617-496d-b51b-e76466e88db0', // Microsoft Entra multifactor authentication
  RMS_S_ENTERPRISE: 'bea4c11e-220a-4e6d-8eb8-8ea15d019f90', // Azure Rights Management
  RMS_S_PREMIUM: '6c57d4b6-3b23-47a5-9bc9-69f17b4947b3', // Azure Information Protection Premium P1
  WIN10_PRO_ENT_SUB: '21b439ba-a0ca-424f-a6cc-52f954a5b111', // Windows 10/11 Enterprise
  ATP_ENTERPRISE: 'f20fedf3-f3c3-43c3-8267-2bfdd51c0939', // Microsoft Defender for Office 365 (Plan 1)
  THREAT_INTELLIGENCE: '8e0c0a52-6a6c-4d40-8370-dd62790dcd70', // Microsoft Defender for Office 365 (Plan 2)
  PROJECTWORKMANAGEMENT: 'b737dad2-2f6c-4c65-90e3-ca563267e8b9', // Microsoft Planner
  YAMMER_ENTERPRISE: '7547a3fe-08ee-4ccb-b430-5077c5041653', // Viva Engage (Yammer)
  SWAY: 'a23b959c-7ce8-4e57-9140-b90eb88a9e97', // Sway
  FLOW_P2_VIRAL: '50e68c76-46c6-4674-81f9-75456511b170', // Power Automate free
  BI_AZURE_P0: '2049e525-b859-401b-b2a0-e0a31c4b1fe4', // Power BI (free)
  BI_AZURE_P2: '70d33638-9c74-4d01-bfd3-562de28bd4ba', // Power BI Pro
} as const;

export type ServicePlanName = keyof typeof SERVICE_PLANS;

/** A product as Microsoft sells it: part number, SKU id, and the service plans it carries. */
export interface CatalogSku {
  skuId: string;
  /** Marketing name, for comments and logs only (Graph's subscribedSku has no display name). */
  productName: string;
  /** 'User' for per-user licences, 'Company' for tenant-wide ones. */
  appliesTo: 'User' | 'Company';
  servicePlans: readonly ServicePlanName[];
}

/** skuPartNumber → product. */
export const SKUS = {
  SPE_E3: {
    skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965',
    productName: 'Microsoft 365 E3',
    appliesTo: 'User',
    servicePlans: [
      'EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'OFFICESUBSCRIPTION',
      'INTUNE_A', 'AAD_PREMIUM', 'MFA_PREMIUM', 'RMS_S_ENTERPRISE', 'RMS_S_PREMIUM', 'WIN10_PRO_ENT_SUB',
      'PROJECTWORKMANAGEMENT', 'YAMMER_ENTERPRISE', 'SWAY',
    ],
  },
  SPE_E5: {
    skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
    productName: 'Microsoft 365 E5',
    appliesTo: 'User',
    servicePlans: [
      'EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'MCOEV', 'MCOMEETADV',
      'OFFICESUBSCRIPTION', 'INTUNE_A', 'AAD_PREMIUM', 'AAD_PREMIUM_P2', 'MFA_PREMIUM', 'RMS_S_ENTERPRISE', 'RMS_S_PREMIUM',
      'WIN10_PRO_ENT_SUB', 'ATP_ENTERPRISE', 'THREAT_INTELLIGENCE', 'BI_AZURE_P2', 'PROJECTWORKMANAGEMENT',
      'YAMMER_ENTERPRISE', 'SWAY',
    ],
  },
  EMS: {
    skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e',
    productName: 'Enterprise Mobility + Security E3',
    appliesTo: 'User',
    servicePlans: ['AAD_PREMIUM', 'MFA_PREMIUM', 'INTUNE_A', 'RMS_S_ENTERPRISE', 'RMS_S_PREMIUM'],
  },
  ENTERPRISEPACK: {
    skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900',
    productName: 'Office 365 E3',
    appliesTo: 'User',
    servicePlans: [
      'EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'OFFICESUBSCRIPTION',
      'RMS_S_ENTERPRISE', 'PROJECTWORKMANAGEMENT', 'YAMMER_ENTERPRISE', 'SWAY',
    ],
  },
  STANDARDPACK: {
    skuId: '18181a46-0d4e-45cd-891e-60aabd171b4e',
    productName: 'Office 365 E1',
    appliesTo: 'User',
    // Web and mobile Office only (no OFFICESUBSCRIPTION), no Intune, no Entra ID P1.
    servicePlans: [
      'EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'OFFICEMOBILE_SUBSCRIPTION',
      'PROJECTWORKMANAGEMENT', 'YAMMER_ENTERPRISE', 'SWAY',
    ],
  },
  O365_BUSINESS_PREMIUM: {
    skuId: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
    productName: 'Microsoft 365 Business Standard',
    appliesTo: 'User',
    // Exchange, SharePoint, Teams and the desktop apps; no Intune, no Entra ID P1 (Business Premium adds those).
    servicePlans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'OFFICE_BUSINESS', 'PROJECTWORKMANAGEMENT', 'SWAY'],
  },
  SPB: {
    skuId: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
    productName: 'Microsoft 365 Business Premium',
    appliesTo: 'User',
    servicePlans: [
      'EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'OFFICE_BUSINESS', 'INTUNE_A',
      'AAD_PREMIUM', 'MFA_PREMIUM', 'RMS_S_PREMIUM', 'ATP_ENTERPRISE', 'PROJECTWORKMANAGEMENT', 'SWAY',
    ],
  },
  DEVELOPERPACK_E5: {
    skuId: 'c42b9cae-ea4f-4ab7-9717-81576235ccac',
    productName: 'Microsoft 365 E5 Developer (without Windows and Audio Conferencing)',
    appliesTo: 'User',
    servicePlans: [
      'EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'SHAREPOINTWAC', 'TEAMS1', 'MCOSTANDARD', 'MCOEV', 'OFFICESUBSCRIPTION',
      'INTUNE_A', 'AAD_PREMIUM', 'AAD_PREMIUM_P2', 'RMS_S_ENTERPRISE', 'RMS_S_PREMIUM', 'ATP_ENTERPRISE', 'THREAT_INTELLIGENCE',
      'BI_AZURE_P2',
    ],
  },
  FLOW_FREE: {
    skuId: 'f30db892-07e9-47e9-837c-80727f46fd3d',
    productName: 'Microsoft Power Automate Free',
    appliesTo: 'User',
    servicePlans: ['EXCHANGE_S_FOUNDATION', 'FLOW_P2_VIRAL'],
  },
  POWER_BI_STANDARD: {
    skuId: 'a403ebcc-fae0-4ca2-8c8c-7a907fd6c235',
    productName: 'Microsoft Fabric (Free)',
    appliesTo: 'User',
    servicePlans: ['EXCHANGE_S_FOUNDATION', 'BI_AZURE_P0'],
  },
} as const satisfies Record<string, CatalogSku>;

export type SkuPartNumber = keyof typeof SKUS;

/** Directory role templates: the same template id in every tenant; each tenant's role object has its own id. */
export const DIRECTORY_ROLE_TEMPLATES: Readonly<Record<string, { displayName: string; description: string }>> = {
  [ROLE_TEMPLATES.globalAdministrator]: {
    displayName: 'Global Administrator',
    description: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
  },
  [ROLE_TEMPLATES.exchangeAdministrator]: {
    displayName: 'Exchange Administrator',
    description: 'Can manage all aspects of the Exchange product.',
  },
  // Not held by any seeded user; here so a custom seed can use them and get real names back.
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': { displayName: 'SharePoint Administrator', description: 'Can manage all aspects of the SharePoint service.' },
  '69091246-20e8-4a56-aa4d-066075b2a7a8': { displayName: 'Teams Administrator', description: 'Can manage the Microsoft Teams service.' },
  'fe930be7-5e62-47db-91af-98c3a49a38b1': { displayName: 'User Administrator', description: 'Can manage all aspects of users and groups, including resetting passwords for limited admins.' },
  'b0f54661-2d74-4c50-afa3-1ec803f12efe': { displayName: 'Billing Administrator', description: 'Can perform common billing related tasks like updating payment information.' },
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': { displayName: 'Global Reader', description: 'Can read everything that a Global Administrator can, but not update anything.' },
};
