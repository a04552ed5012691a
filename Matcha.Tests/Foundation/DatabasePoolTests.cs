using Matcha.Data;
using Matcha.Social.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Matcha.Tests.Foundation;

/// <summary>
/// A service's connection pool stops at <see cref="Database.DefaultMaxPoolSize"/> connections, not at Npgsql's 100
/// (docs/performance.md, "A bounded pool"), unless an operator sizes it: <c>Database__MaxPoolSize</c> in the service's
/// environment, or <c>Maximum Pool Size</c> in its connection string. Read from the data source the service resolves;
/// nothing connects.
/// </summary>
public sealed class DatabasePoolTests
{
    [Theory]
    [InlineData(null, "", Database.DefaultMaxPoolSize)]
    [InlineData("40", "", 40)]
    [InlineData(null, ";Maximum Pool Size=60", 60)]
    [InlineData("24", ";Maximum Pool Size=60", 24)]
    public void AServicesPoolIsBoundedUnlessAnOperatorSizesIt(string? setting, string inConnectionString, int expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:socialdb"] = "Host=localhost;Database=socialdb" + inConnectionString;
        builder.Configuration[Database.MaxPoolSizeSetting] = setting;
        builder.AddServiceDatabase<SocialDbContext>("socialdb");
        using var host = builder.Build();

        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize);
    }
}
