namespace Matcha.Tests.Foundation;

/// <summary>
/// `./eng/test.sh --fast` leaves out the classes whose trait says Category=AppHost or Browser.
/// A class that needs either and forgets the trait would make the fast run slow or fail, so the
/// whole suite (what CI runs) fails here first and names it. The whole suite runs in two
/// processes side by side: the main AppHost's collection in one, everything else in the other
/// (eng/test.sh). A class in a collection of a variant of the AppHost (CDC and Redis Cluster,
/// replicas, chaos) says so with Category=AppHostVariant; without it, its variant would start in
/// the main collection's process, two AppHosts in one process and two in the other.
/// </summary>
public sealed class TestCategoryTests
{
    [Fact]
    public void EveryTestClassThatNeedsTheAppHostOrABrowserSaysSoInItsTraits()
    {
        var testClasses = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)))
            .ToList();

        string[] missing =
        [
            .. testClasses.Where(t => NeedsAppHost(t) && !Categories(t).Contains("AppHost")).Select(t => $"{t.FullName} lacks Category=AppHost"),
            .. testClasses.Where(t => Takes(t, typeof(WebAppBrowser)) && !Categories(t).Contains("Browser")).Select(t => $"{t.FullName} lacks Category=Browser"),
            .. testClasses.Where(t => NeedsAppHostVariant(t) != Categories(t).Contains("AppHostVariant"))
                .Select(t => NeedsAppHostVariant(t) ? $"{t.FullName} lacks Category=AppHostVariant" : $"{t.FullName} is in no variant's collection, yet says Category=AppHostVariant"),
        ];

        Assert.Empty(missing);
        Assert.Contains(testClasses, t => Categories(t).Contains("AppHost"));
        Assert.Contains(testClasses, t => Categories(t).Contains("AppHostVariant"));
    }

    private static bool NeedsAppHost(Type testClass) =>
        testClass.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute)
            && Equals(a.ConstructorArguments[0].Value, MatchaAppCollectionDefinition.Name))
        || testClass.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType.IsAssignableTo(typeof(MatchaAppFixture))));

    /// <summary>In the collection of a fixture that starts the AppHost other than the main collection's.</summary>
    private static bool NeedsAppHostVariant(Type testClass) =>
        testClass.GetConstructors().Any(c => c.GetParameters().Any(p =>
            p.ParameterType.IsAssignableTo(typeof(MatchaAppFixture)) && p.ParameterType != typeof(MatchaAppFixture)));

    /// <summary>Given the fixture by its constructor or as a class fixture.</summary>
    private static bool Takes(Type testClass, Type fixture) =>
        testClass.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == fixture))
        || testClass.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericArguments().Contains(fixture));

    private static List<string?> Categories(Type testClass) =>
    [
        .. testClass.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && Equals(a.ConstructorArguments[0].Value, "Category"))
            .Select(a => a.ConstructorArguments[1].Value as string),
    ];
}
