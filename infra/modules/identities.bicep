@description('Region of the resources.')
param location string

@description('Tags for every resource.')
param tags object

@description('Identity of the Function App.')
param appIdentityName string

@description('Identity of the training job.')
param trainingIdentityName string

// Two identities so the training container gets neither the Functions host's storage (function keys live there)
// nor the right to start jobs.
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource trainingIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: trainingIdentityName
  location: location
  tags: tags
}

output appIdentityId string = appIdentity.id
output appIdentityClientId string = appIdentity.properties.clientId
output trainingIdentityId string = trainingIdentity.id
output trainingIdentityClientId string = trainingIdentity.properties.clientId
