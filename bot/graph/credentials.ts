import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { GraphAuth } from '../config';

/** Returns the app-only credential for one customer tenant, or undefined for the local tenant (no token). */
export type CredentialFactory = (tenantId: string) => TokenCredential | undefined;

/** One credential per customer tenant, built on first use and cached (tokens are cached inside each). */
export function createCredentialFactory(auth: GraphAuth): CredentialFactory {
  if (auth.kind === 'local') return () => undefined;
  const cache = new Map<string, TokenCredential>();
  // A managed identity cannot get tokens for other tenants itself; it signs an assertion for the
  // multi-tenant app through a federated identity credential, once per process.
  const managedIdentity =
    auth.kind === 'managedIdentity'
      ? new ManagedIdentityCredential(auth.managedIdentityClientId ? { clientId: auth.managedIdentityClientId } : {})
      : undefined;
  return (tenantId) => {
    let credential = cache.get(tenantId);
    if (!credential) {
      switch (auth.kind) {
        case 'clientSecret':
          credential = new ClientSecretCredential(tenantId, auth.clientId, auth.clientSecret);
          break;
        case 'certificate':
          credential = new ClientCertificateCredential(tenantId, auth.clientId, { certificatePath: auth.certificatePath });
          break;
        case 'managedIdentity':
          credential = new ClientAssertionCredential(tenantId, auth.clientId, async () => {
            const token = await managedIdentity!.getToken('api://AzureADTokenExchange/.default');
            return token.token;
          });
          break;
      }
      cache.set(tenantId, credential);
    }
    return credential;
  };
}
