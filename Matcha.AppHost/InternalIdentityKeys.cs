using System.Security.Cryptography;

namespace Matcha.AppHost;

internal static class InternalIdentityKeys
{
    /// <summary>
    /// The gateway's key pair for internal identity tokens: the private half only for the
    /// gateway (secret), the public half for every service. A fresh pair each run is enough,
    /// since internal tokens live seconds; a deployment supplies both parameters itself.
    /// </summary>
    public static (IResourceBuilder<ParameterResource> SigningKey, IResourceBuilder<ParameterResource> PublicKey) AddInternalIdentityKeys(
        this IDistributedApplicationBuilder builder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signingKey = builder.AddParameter("gateway-signing-key", Convert.ToBase64String(key.ExportPkcs8PrivateKey()), secret: true);
        var publicKey = builder.AddParameter("gateway-public-key", Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        return (signingKey, publicKey);
    }

    /// <summary>Lets a service verify the gateway's internal tokens (it gets no means to mint one).</summary>
    public static IResourceBuilder<ProjectResource> WithInternalIdentity(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> gatewayPublicKey) =>
        service.WithEnvironment("InternalIdentity__PublicKey", gatewayPublicKey);
}
