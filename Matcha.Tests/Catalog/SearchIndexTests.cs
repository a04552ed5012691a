using Matcha.Catalog.Search;

namespace Matcha.Tests.Catalog;

/// <summary>The in-memory search index alone: the same matches and order as the SQL search, and its updates.</summary>
public sealed class SearchIndexTests
{
    [Fact]
    public void AnExactTitleComesFirstThenATitlePrefixThenOtherMatchesByPopularity()
    {
        using var index = new SearchIndex();
        index.Apply([
            Film(1, "the night river", popularity: 9),
            Film(2, "night", popularity: 1),
            Film(3, "nightcrawler", popularity: 5),
            Film(4, "a night to remember", popularity: 7),
        ], []);

        Assert.Equal([2, 3, 1, 4], index.Movies("night", 20));
    }

    [Fact]
    public void TwoHangulSyllablesFindTheFilmsThatHoldThemSideBySide()
    {
        using var index = new SearchIndex();
        index.Apply([
            Film(1, "기생충 | parasite | 봉준호"),
            Film(2, "생기 | vitality"),
            Film(3, "기 생 | apart"),
            Film(4, "살인의 추억 | memories of murder | 봉준호"),
        ], []);

        Assert.Equal([1], index.Movies("기생", 20));
        Assert.Equal([1, 4], index.Movies("봉준", 20));
        Assert.Equal([4], index.Movies("살인의 추억", 20));
        Assert.Equal([1, 3, 2], index.Movies("기", 20));   // one syllable: no pair, every text is read; titles starting with it first
    }

    [Fact]
    public void EqualPopularityFallsToRatingCountThenTheNewerFilmNeverToTheId()
    {
        using var index = new SearchIndex();
        index.Apply([
            Film(1, "batman begins | christopher nolan", year: 2005),
            Film(2, "tenet | christopher nolan", year: 2020),
            Film(3, "inception | christopher nolan", year: 2010),
            Film(4, "memento | christopher nolan", year: 2000, ratingCount: 3),
        ], []);

        Assert.Equal([4, 2, 3, 1], index.Movies("nolan", 20));
    }

    [Fact]
    public void ATypoFindsTheFilmsOfTheClosestWord()
    {
        using var index = new SearchIndex();
        index.Apply([Film(1, "parasite | 기생충"), Film(2, "night on earth"), Film(3, "paradise lost")], [Person(7, "bong joon ho | 봉준호")]);

        Assert.Equal([1], index.Movies("parasote", 20));
        Assert.Equal([2], index.Movies("nixht", 20));
        Assert.Equal([7], index.People("bonj", 20));
        Assert.Empty(index.Movies("기샘충", 20));   // Hangul is matched as substrings only
        Assert.Empty(index.Movies("nix", 20));      // under four letters a query is close to too much
    }

    [Fact]
    public void TheTypoWordsAreThoseOfPgTrgmAtThirtyPercent()
    {
        var vocabulary = new TypoVocabulary();
        vocabulary.AddWordsOf("night | nicht | knight | | 1999 | 밤");

        // nixht ~ night and nicht: 3 trigrams shared of 9 (0.33), equal, so by the word; knight shares 1 of 12.
        Assert.Equal(["nicht", "night"], vocabulary.Closest("nixht", 3));
        Assert.Equal(3, vocabulary.Count);   // "|", digits and Hangul are not typo words
    }

    [Fact]
    public void PeopleComeBackByIdAndAFragmentOfTheirNameFindsThem()
    {
        using var index = new SearchIndex();
        index.Apply([], [Person(30, "park chan wook | 박찬욱"), Person(10, "park ji min | 박지민"), Person(20, "kim ji woon | 김지운")]);

        Assert.Equal([10, 30], index.People("park", 20));
        Assert.Equal([10, 30], index.People("박", 20));
        Assert.Equal([30], index.People("찬욱", 20));
    }

    [Fact]
    public void AnEditedFilmIsFoundByItsNewTextOnlyAndARemovedOneNotAtAll()
    {
        using var index = new SearchIndex();
        index.Apply([Film(1, "old title"), Film(2, "another title")], [Person(5, "some one")]);

        index.Apply([Film(1, "new name", titleKeys: ["new name"])], [], removedFilms: [2], removedPeople: [5]);

        Assert.Empty(index.Movies("old", 20));
        Assert.Equal([1], index.Movies("new name", 20));
        Assert.Empty(index.Movies("another", 20));
        Assert.Empty(index.People("some", 20));
        Assert.Equal((1, 0), (index.Size.Films, index.Size.People));
    }

    [Fact]
    public void APopularityChangeReordersTheMatches()
    {
        using var index = new SearchIndex();
        index.Apply([Film(1, "river one", popularity: 2), Film(2, "river two", popularity: 1)], []);

        index.Apply([Film(2, "river two", popularity: 3)], []);

        Assert.Equal([2, 1], index.Movies("river", 20));
    }

    [Fact]
    public void ACommonWordsPageIsTheBestKnownFilmsAmongThousands()
    {
        using var index = new SearchIndex();
        index.Apply([.. Enumerable.Range(1, 5_000).Select(id => Film(id, $"the night {id} | tale {id % 7}", popularity: id % 1_000))], []);

        var page = index.Movies("night", 20);

        // Popularity 999 at ids 999, 1999, … 4999; then 998 …; equal popularity falls to the newer (here: equal) year, then the id.
        var expected = Enumerable.Range(1, 5_000).OrderByDescending(id => id % 1_000).ThenBy(id => id).Take(20);
        Assert.Equal(expected, page);
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(30_000)]   // "the", "night", … are then in thousands of texts: their grams keep bitsets, ANDed a word at a time
    public void FindsWhatAScanOfEveryTextFindsInTheSameOrder(int count)
    {
        var random = new Random(16);
        string[] pieces = ["기생", "생충", "충기", "봉", "준호", "the", "night", "river", "ni", "gh", "ver", " ", " | "];
        var films = Enumerable.Range(1, count)
            .Select(id => Film(id, string.Concat(Enumerable.Range(0, random.Next(2, 9)).Select(_ => pieces[random.Next(pieces.Length)])).Trim(),
                popularity: random.Next(5), ratingCount: random.Next(3), year: 1990 + random.Next(30)))
            .ToList();
        var postings = new NgramPostings();
        films.ForEach(f => postings.Upsert(f.Id, f.SearchText, f.Prior));
        postings.Seal();
        // Edited and removed texts keep their ordinals in the postings, with no text: never found by their old words.
        for (var i = 0; i < count / 10; i++)
        {
            var at = random.Next(films.Count);
            if (i % 2 == 0)
            {
                films[at] = Film(films[at].Id, "river", popularity: random.Next(5));
                postings.Upsert(films[at].Id, films[at].SearchText, films[at].Prior);
            }
            else
            {
                postings.Remove(films[at].Id);
                films.RemoveAt(at);
            }
        }
        postings.Seal();

        // Two syllables and three letters are one gram each, found without a substring test; the rest are confirmed by one.
        foreach (var query in new[] { "기생충", "생충기", "기생", "생기", "충기", "준호", "준호 the", "night river", "ht r", "ver", "gh", "n", "the night", "river night", "night the river 봉", "the", "e |" })
        {
            var scanned = films.Where(f => f.SearchText.Contains(query, StringComparison.Ordinal)).OrderBy(f => f.Prior).Select(f => f.Id).Take(200);
            Assert.Equal(scanned, postings.Find(query, 200));
        }
    }

    [Fact]
    public void ARebuildHoldsExactlyWhatItIsGivenAndSearchesAlike()
    {
        using var index = new SearchIndex();
        index.Apply([Film(1, "gone girl"), Film(2, "the river")], [Person(5, "kim river")]);

        index.Replace([Film(2, "the river", popularity: 1), Film(3, "river", titleKeys: ["river"]), Film(4, "river", titleKeys: ["river"], year: 2010)],
            [Person(6, "park river")]);

        Assert.Empty(index.Movies("gone", 20));
        Assert.Equal([4, 3, 2], index.Movies("river", 20));   // two exact titles by prior (the newer first), then the other match
        Assert.Equal([6], index.People("river", 20));
        Assert.Equal((3, 1), (index.Size.Films, index.Size.People));
    }

    [Fact]
    public void AnExactTitleSharedByTwoFilmsLeavesTheOtherWhenOneIsRenamed()
    {
        using var index = new SearchIndex();
        index.Apply([Film(1, "heat", popularity: 1), Film(2, "heat", popularity: 2), Film(3, "heat wave", popularity: 9)], []);
        Assert.Equal([2, 1, 3], index.Movies("heat", 20));

        index.Apply([Film(2, "cold", titleKeys: ["cold"])], []);

        Assert.Equal([1, 3], index.Movies("heat", 20));
    }

    private static FilmEntry Film(int id, string text, double popularity = 0, int ratingCount = 0, int year = 2000, string[]? titleKeys = null) =>
        new(id, text, titleKeys ?? [text.Split(" | ")[0]], new SearchPrior(popularity, ratingCount, year, id));

    private static PersonEntry Person(int id, string text) => new(id, text);
}
