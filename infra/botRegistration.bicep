// The Azure Bot registration (UserAssignedMSI) and its Microsoft Teams channel.

@description('Bot handle: globally unique, 2-64 letters, digits, hyphens, periods or underscores.')
@minLength(2)
@maxLength(64)
param botName string

@description('Display name of the bot.')
param botDisplayName string

@description('Pricing tier: F0 or S1.')
param botSku string

@description('The messaging endpoint: https://<web app host>/api/messages.')
param botEndpoint string

@description('Client id of the user-assigned managed identity: the bot\'s Microsoft App ID.')
param identityClientId string

@description('Resource id of that managed identity.')
param identityResourceId string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: botEndpoint
    msaAppId: identityClientId
    msaAppType: 'UserAssignedMSI'
    msaAppTenantId: tenant().tenantId
    msaAppMSIResourceId: identityResourceId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

@description('The bot resource name.')
output botName string = bot.name
