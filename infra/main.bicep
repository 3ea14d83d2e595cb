// The FastTrack onboarding bot on Azure: identity, storage, App Service and the Azure Bot.
// Deploy into an existing resource group; see README.md for the steps before and after.
targetScope = 'resourceGroup'

@description('Prefix for every resource name (letters, digits and hyphens).')
@minLength(3)
@maxLength(20)
param resourceBaseName string = 'fasttrack-bot'

@description('Azure region for the identity, storage and App Service. The Azure Bot itself is global.')
param location string = resourceGroup().location

@description('App Service plan SKU. B1 is the smallest plan that supports Always On.')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Azure Bot pricing tier: F0 (free, standard channels only) or S1.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('The bot name shown in the Azure portal and the Bot Framework channels.')
@maxLength(42)
param botDisplayName string = 'FastTrack Onboarding'

@description('Bot log level (LOG_LEVEL).')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
])
param logLevel string = 'info'

@description('Blob container for dialog and user state (STORAGE_STATE_CONTAINER).')
@minLength(3)
@maxLength(63)
param stateContainerName string = 'botstate'

@description('Blob container for onboarding requests, bookings and conversation references (STORAGE_RECORDS_CONTAINER).')
@minLength(3)
@maxLength(63)
param recordsContainerName string = 'records'

@description('Storage queue for reminders and notification work (STORAGE_QUEUE_NAME).')
@minLength(3)
@maxLength(63)
param workQueueName string = 'fasttrack-work'

@description('Client (application) id of the multi-tenant Entra app the bot uses to call Microsoft Graph in customer tenants.')
param graphClientId string

@description('The tenant where FastTrack staff sign in (FASTTRACK_STAFF_TENANT_ID).')
param fastTrackStaffTenantId string

@description('The Teams team whose channel triages requests, e.g. 19:…@thread.tacv2 (FASTTRACK_CENTER_TEAM_ID).')
param fastTrackCenterTeamId string

@description('Client secret of that Graph app. Leave empty when graphClientSecretKeyVaultUri is set.')
@secure()
param graphClientSecret string = ''

@description('Optional: Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>) holding the Graph app secret. When set, the web app reads the secret from Key Vault with the managed identity instead of taking graphClientSecret.')
param graphClientSecretKeyVaultUri string = ''

var suffix = uniqueString(resourceGroup().id)
// App Service host names and bot handles are global: the suffix keeps them unique.
var webAppName = '${resourceBaseName}-${suffix}'
var storageAccountName = take('st${toLower(replace(resourceBaseName, '-', ''))}${suffix}', 24)
// A Key Vault reference when a secret URI is given, else the secret itself.
var graphSecretSetting = empty(graphClientSecretKeyVaultUri) ? graphClientSecret : '@Microsoft.KeyVault(SecretUri=${graphClientSecretKeyVaultUri})'

// The bot's identity: the Azure Bot registration uses it as its app id (UserAssignedMSI), and
// the web app authenticates to the Bot Framework with it. No client secret for the bot.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-identity'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: stateContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource recordsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: recordsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource workQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: workQueueName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: appServicePlanSku
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve with this identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      appCommandLine: 'node dist/bot/index.js'
      healthCheckPath: '/healthz'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Exactly the keys bot/config.ts reads (test/infra/infra.test.ts checks this).
      // PORT is set by App Service itself.
      appSettings: [
        {
          name: 'HOST'
          value: '0.0.0.0'
        }
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          name: 'MicrosoftAppId'
          value: identity.properties.clientId
        }
        {
          name: 'MicrosoftAppType'
          value: 'UserAssignedMSI'
        }
        {
          name: 'MicrosoftAppTenantId'
          value: tenant().tenantId
        }
        {
          name: 'AZURE_STORAGE_CONNECTION_STRING'
          value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
        }
        {
          name: 'STORAGE_STATE_CONTAINER'
          value: stateContainer.name
        }
        {
          name: 'STORAGE_RECORDS_CONTAINER'
          value: recordsContainer.name
        }
        {
          name: 'STORAGE_QUEUE_NAME'
          value: workQueue.name
        }
        {
          name: 'GRAPH_BASE_URL'
          value: 'https://graph.microsoft.com'
        }
        {
          name: 'GRAPH_AUTH'
          value: 'clientSecret'
        }
        {
          name: 'GRAPH_CLIENT_ID'
          value: graphClientId
        }
        {
          name: 'GRAPH_CLIENT_SECRET'
          value: graphSecretSetting
        }
        {
          name: 'NOTIFICATION_URL'
          value: 'https://${webAppName}.azurewebsites.net/api/notifications'
        }
        {
          name: 'FASTTRACK_STAFF_TENANT_ID'
          value: fastTrackStaffTenantId
        }
        {
          name: 'FASTTRACK_CENTER_TEAM_ID'
          value: fastTrackCenterTeamId
        }
      ]
    }
  }
}

module botRegistration 'botRegistration.bicep' = {
  name: 'botRegistration'
  params: {
    botName: '${resourceBaseName}-${suffix}'
    botDisplayName: botDisplayName
    botSku: botSku
    botEndpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
  }
}

@description('BOT_ID for `npm run package`: the managed identity\'s client id, which is the bot\'s app id.')
output BOT_ID string = identity.properties.clientId

@description('BOT_DOMAIN for `npm run package`.')
output BOT_DOMAIN string = webApp.properties.defaultHostName

@description('The web app to deploy the code to.')
output WEB_APP_NAME string = webApp.name

@description('The web app\'s resource id: where the Agents Toolkit (m365agents.yml) zip-deploys the code.')
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id

@description('The Azure Bot resource name.')
output BOT_NAME string = botRegistration.outputs.botName
