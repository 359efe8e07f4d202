using System;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Xunit;

namespace Dreamina.Tests.Infrastructure;

/// <summary>One Azurite for a test class.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite _azurite = null!;

    public BlobServiceClient Service => _azurite.Service;

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync();

    public Task<(BlobContainerClient Container, Uri WithSas)> NewContainerAsync(BlobContainerSasPermissions permissions = BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write, TimeSpan? expiresIn = null)
        => _azurite.NewContainerAsync(permissions, expiresIn);

    public async Task DisposeAsync() => await _azurite.DisposeAsync();
}
