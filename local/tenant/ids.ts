/** Fixed ids of the seeded local tenants, shared by the seed, the Playground config and the tests. */
export const TENANTS = {
  contoso: 'c0a70500-0000-4000-8000-000000000001',
  northwind: 'a0d1f00d-0000-4000-8000-000000000002',
  fabrikam: 'fab1ca00-0000-4000-8000-000000000003',
  /** Exactly 150 paid, enabled seats, plus suspended, trial and grace-period (Warning) ones: the eligibility edge. */
  tailspin: '7a115010-0000-4000-8000-000000000004',
  /** The message-size worst case: a 256-character organisation name, every SKU of the catalog, many domains, admins in every region. */
  woodgrove: '20a0d900-0000-4000-8000-000000000005',
  /** FastTrack's own staff tenant ("FastTrack"): an account for every person of bot/data/centers.json (staff.ts). */
  fastTrack: 'f4571ac0-0000-4000-8000-000000000005',
} as const;

export const USERS = {
  /** Contoso, Global Administrator, en-US, Pacific Standard Time. The Playground's default user. */
  megan: 'c0a70500-0000-4000-8000-00000000a001',
  /** Contoso, Global Administrator, zh-CN, China Standard Time. */
  liwei: 'c0a70500-0000-4000-8000-00000000a002',
  /** Contoso, no admin role, en-GB, GMT Standard Time. */
  adele: 'c0a70500-0000-4000-8000-00000000a003',
  /** Contoso, Exchange Administrator (not Global), de-DE, W. Europe Standard Time. */
  alex: 'c0a70500-0000-4000-8000-00000000a004',
  /** Contoso, no admin role, en-IN, India Standard Time. */
  priya: 'c0a70500-0000-4000-8000-00000000a005',
  /** Contoso, no admin role, ne-NP, Nepal Standard Time. */
  sita: 'c0a70500-0000-4000-8000-00000000a006',
  /** Northwind, Global Administrator, en-US, Eastern Standard Time. */
  nancy: 'a0d1f00d-0000-4000-8000-00000000b001',
  /** Northwind, no admin role. */
  andrew: 'a0d1f00d-0000-4000-8000-00000000b002',
  /** Fabrikam (partner), Global Administrator, fr-FR, Romance Standard Time. */
  patti: 'fab1ca00-0000-4000-8000-00000000c001',
  /** Tailspin Toys, Global Administrator, en-US, Central Standard Time. */
  kim: '7a115010-0000-4000-8000-00000000d001',
  /** Tailspin Toys, no admin role, en-GB, GMT Standard Time. */
  lee: '7a115010-0000-4000-8000-00000000d002',
  /** Woodgrove, Global Administrator, pt-BR, E. South America Standard Time (São Paulo). */
  woodgroveAmericas: '20a0d900-0000-4000-8000-00000000f001',
  /** Woodgrove, Global Administrator, fr-FR, W. Europe Standard Time. */
  woodgroveEmea: '20a0d900-0000-4000-8000-00000000f002',
  /** Woodgrove, Global Administrator, th-TH, SE Asia Standard Time (Bangkok). */
  woodgroveApac: '20a0d900-0000-4000-8000-00000000f003',
  /** Woodgrove, no admin role, en-GB, GMT Standard Time. */
  woodgroveUser: '20a0d900-0000-4000-8000-00000000f004',
} as const;

/** Service principals (apps) that hold directory roles: role members that are not users. */
export const SERVICE_PRINCIPALS = {
  /** Contoso's mail migration app, Exchange Administrator. */
  contosoMailMigration: 'c0a70500-0000-4000-8000-00000000e001',
} as const;

/** Role template ids used by the seed (stable across all tenants in Entra ID). */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  exchangeAdministrator: '29232cdf-9323-42fd-ade2-1d097af3e4de',
} as const;
