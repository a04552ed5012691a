using Matcha.Accounts.Data;
using Matcha.Catalog.Data;
using Matcha.Ratings.Data;
using Matcha.Social.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Matcha.Tests.Foundation;

/// <summary>
/// Each service loads the compiled model in its <c>Data/CompiledModel</c> folder rather than building its model from
/// <c>OnModelCreating</c> at every start (docs/running.md). A compiled model is generated code, so after a change to the
/// model it is stale until <c>./eng/compiled-models.sh</c> runs again, and a stale one maps the wrong columns. These
/// tests compare it with the model the code builds: entities, properties, keys, relationships, query filters, tables,
/// columns and indexes. Fast: no database.
/// </summary>
public sealed class CompiledModelTests
{
    public static TheoryData<string> Services => ["Accounts", "Catalog", "Ratings", "Social"];

    [Theory]
    [MemberData(nameof(Services))]
    public void TheServiceLoadsACompiledModelThatMatchesItsCode(string service)
    {
        using var db = Context(service);

        var compiled = db.Model;
        var code = db.GetService<IDesignTimeModel>().Model;

        Assert.True(compiled is RuntimeModel && compiled.GetType().Namespace == $"Matcha.{service}.Data.CompiledModel",
            $"Matcha.{service} builds its model at start ({compiled.GetType()}); run ./eng/compiled-models.sh {service}.");
        var (expected, actual) = (Describe(code), Describe(compiled));
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"Matcha.{service}'s compiled model is stale; run ./eng/compiled-models.sh {service}. First difference:\n{FirstDifference(expected, actual)}");
        }
    }

    /// <summary>The context as <c>dotnet ef dbcontext optimize</c> makes it: through the service's design-time factory.</summary>
    private static DbContext Context(string service) => service switch
    {
        "Accounts" => new AccountsDbContextFactory().CreateDbContext([]),
        "Catalog" => new CatalogDbContextFactory().CreateDbContext([]),
        "Ratings" => new RatingsDbContextFactory().CreateDbContext([]),
        "Social" => new SocialDbContextFactory().CreateDbContext([]),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "Not a service with a database."),
    };

    /// <summary>What a query or a save depends on, one line per fact, in a stable order.</summary>
    private static List<string> Describe(IModel model)
    {
        List<string> text = [];
        foreach (var entity in model.GetEntityTypes().OrderBy(e => e.Name))
        {
            text.Add($"entity {entity.Name} {entity.ClrType} base={entity.BaseType?.Name}");
            foreach (var property in entity.GetDeclaredProperties().OrderBy(p => p.Name))
            {
                text.Add($"  property {Property(property)} concurrency={property.IsConcurrencyToken} generated={property.ValueGenerated}");
            }
            foreach (var complex in entity.GetDeclaredComplexProperties().OrderBy(p => p.Name))
            {
                text.Add($"  complex {complex.Name} {complex.ClrType} nullable={complex.IsNullable}");
                foreach (var property in complex.ComplexType.GetProperties().OrderBy(p => p.Name))
                {
                    text.Add($"    property {Property(property)}");
                }
            }
            foreach (var navigation in entity.GetDeclaredNavigations().OrderBy(n => n.Name))
            {
                text.Add($"  navigation {navigation.Name} -> {navigation.TargetEntityType.Name} collection={navigation.IsCollection}");
            }
            foreach (var key in entity.GetDeclaredKeys())
            {
                text.Add($"  key ({Names(key.Properties)}) primary={key.IsPrimaryKey()}");
            }
            foreach (var foreignKey in entity.GetDeclaredForeignKeys())
            {
                text.Add($"  foreign key ({Names(foreignKey.Properties)}) -> {foreignKey.PrincipalEntityType.Name} delete={foreignKey.DeleteBehavior} required={foreignKey.IsRequired}");
            }
            foreach (var filter in entity.GetDeclaredQueryFilters())
            {
                text.Add($"  query filter {filter.Key} {filter.Expression}");
            }
        }

        var relational = model.GetRelationalModel();
        foreach (var table in relational.Tables.OrderBy(t => t.SchemaQualifiedName))
        {
            text.Add($"table {table.SchemaQualifiedName}");
            foreach (var column in table.Columns.OrderBy(c => c.Name))
            {
                text.Add($"  column {column.Name} {column.StoreType} nullable={column.IsNullable}");
            }
            if (table.PrimaryKey is { } primaryKey)
            {
                text.Add($"  primary key {primaryKey.Name} ({string.Join(", ", primaryKey.Columns.Select(c => c.Name))})");
            }
            foreach (var index in table.Indexes.OrderBy(i => i.Name))
            {
                text.Add($"  index {index.Name} ({string.Join(", ", index.Columns.Select(c => c.Name))}) unique={index.IsUnique} filter={index.Filter}");
            }
            foreach (var foreignKey in table.ForeignKeyConstraints.OrderBy(f => f.Name))
            {
                text.Add($"  foreign key {foreignKey.Name} -> {foreignKey.PrincipalTable.SchemaQualifiedName} on delete {foreignKey.OnDeleteAction}");
            }
        }
        foreach (var sequence in relational.Sequences.OrderBy(s => s.Name))
        {
            text.Add($"sequence {sequence.Schema}.{sequence.Name}");
        }
        return text;

        static string Property(IReadOnlyProperty property) =>
            $"{property.Name} {property.ClrType} nullable={property.IsNullable} converter={property.GetValueConverter()?.GetType()}";

        static string Names(IEnumerable<IReadOnlyProperty> properties) => string.Join(", ", properties.Select(p => p.Name));
    }

    private static string FirstDifference(List<string> code, List<string> compiled)
    {
        var at = Enumerable.Range(0, Math.Max(code.Count, compiled.Count)).First(i => code.ElementAtOrDefault(i) != compiled.ElementAtOrDefault(i));
        return $"code:     {code.ElementAtOrDefault(at) ?? "(nothing)"}\ncompiled: {compiled.ElementAtOrDefault(at) ?? "(nothing)"}";
    }
}
