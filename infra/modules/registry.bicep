@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Container registry name (5-50 letters and digits).')
param registryName string

@description('Name of the user-assigned identity the training job pulls its image with.')
param pullIdentityName string

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource pullIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: pullIdentityName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    // Pulls use the job's managed identity; pushes use `az acr build` or `az acr login` with the deployer's Entra account.
    adminUserEnabled: false
  }
}

// Assigned here, before the job that pulls with it exists, so the first execution can pull.
resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullIdentity.id, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: pullIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

output registryName string = registry.name
output loginServer string = registry.properties.loginServer
