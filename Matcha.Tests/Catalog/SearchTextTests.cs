using Matcha.Catalog.Search;

namespace Matcha.Tests.Catalog;

public sealed class SearchTextTests
{
    [Theory]
    [InlineData("Amélie", "amelie")]
    [InlineData("Léon: The Professional", "leon the professional")]
    [InlineData("기생충", "기생충")]
    [InlineData("  Spider-Man:   No Way Home ", "spider man no way home")]
    [InlineData("千と千尋の神隠し", "千と千尋の神隠し")]
    public void NormalisesCaseAccentsAndPunctuationButKeepsHangulWhole(string text, string expected) =>
        Assert.Equal(expected, SearchText.Normalize(text));
}
