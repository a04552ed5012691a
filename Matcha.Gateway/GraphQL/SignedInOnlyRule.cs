using GraphQL.Validation;
using GraphQLParser.AST;
using Matcha.Gateway.Screens;

namespace Matcha.Gateway.GraphQL;

/// <summary>
/// Closed by default: a field marked signed-in only (<c>me</c>, a film's <c>mine</c>) asked by an
/// anonymous caller fails the whole query at validation, before anything is read, with an error
/// naming the field: an error, never data, and never a partial answer that hides the refusal.
/// </summary>
internal sealed class SignedInOnlyRule : ValidationRuleBase
{
    public const string Key = "matcha.signedIn";

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        context.User?.IsSignedIn() == true ? default : new(Visitor);

    private static readonly INodeVisitor Visitor = new MatchingNodeVisitor<GraphQLField>((field, context) =>
    {
        if (context.TypeInfo.GetFieldDef()?.GetMetadata<bool>(Key) == true)
        {
            context.ReportError(new ValidationError(context.Document.Source, "SIGNED_IN_ONLY",
                $"The field '{field.Name.StringValue}' needs a signed-in caller (Authorization: Bearer <access token>).", field));
        }
    });
}
