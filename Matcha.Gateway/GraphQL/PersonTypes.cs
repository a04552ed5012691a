using GraphQL;
using GraphQL.Types;
using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>A person's page: names and filmography.</summary>
internal sealed class PersonType : ObjectGraphType<Person>
{
    public PersonType()
    {
        Name = "Person";
        Field<NonNullGraphType<IntGraphType>>("id").Resolve(ctx => ctx.Source.Id);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocalizedTextType>>>>("names").Resolve(ctx => LocalizedTextType.Of(ctx.Source.Names));
        Field<StringGraphType>("name").Argument<StringGraphType>("language", a => a.DefaultValue = "en")
            .Resolve(ctx => ctx.Source.Names.GetValueOrDefault(ctx.GetArgument<string>("language")) ?? ctx.Source.Names.Values.FirstOrDefault());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FilmographyEntryType>>>>("filmography").Resolve(ctx => ctx.Source.Filmography);
    }
}

internal sealed class FilmographyEntryType : ObjectGraphType<FilmographyEntry>
{
    public FilmographyEntryType()
    {
        Name = "FilmographyEntry";
        Field<NonNullGraphType<FilmType>>("film").Resolve(ctx => ctx.Source.Movie);
        Field<NonNullGraphType<StringGraphType>>("role").Resolve(ctx => ctx.Source.Role);
        Field<StringGraphType>("character").Resolve(ctx => ctx.Source.Character);
    }
}

/// <summary>A person in a list: names only.</summary>
internal sealed class PersonCardType : ObjectGraphType<PersonCard>
{
    public PersonCardType()
    {
        Name = "PersonCard";
        Field<NonNullGraphType<IntGraphType>>("id").Resolve(ctx => ctx.Source.Id);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocalizedTextType>>>>("names").Resolve(ctx => LocalizedTextType.Of(ctx.Source.Names));
    }
}

/// <summary>Films and people matching a search.</summary>
internal sealed class SearchResultType : ObjectGraphType<SearchHits>
{
    public SearchResultType()
    {
        Name = "SearchResult";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FilmType>>>>("films").Resolve(ctx => ctx.Source.Movies);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PersonCardType>>>>("people").Resolve(ctx => ctx.Source.People);
    }
}

internal sealed record PersonCard(int Id, IReadOnlyDictionary<string, string> Names);

internal sealed record SearchHits(IReadOnlyList<Film> Movies, IReadOnlyList<PersonCard> People);
