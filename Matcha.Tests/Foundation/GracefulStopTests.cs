namespace Matcha.Tests.Foundation;

/// <summary>
/// A graceful stop (an operator's stop, a rolling update) lets a service finish what it has to say: the log of its own
/// stop reaches the collector before the process ends. The exporters' clients once went through the standard
/// resilience handler, which the container disposes before the exporters' last flush, so that batch was lost and the
/// exporter tried it again for seconds before the process could end (docs/running.md, "Stopping a service").
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class GracefulStopTests(MatchaAppFixture fixture)
{
    [Theory]
    [InlineData("ratings")]
    [InlineData("catalog")]
    public async Task AServiceStoppedGracefullyExportsTheLogOfItsStop(string service)
    {
        var mark = fixture.Traces.LogExports;

        await fixture.StopAsync(service);   // returns once the process is gone
        try
        {
            // The export carries the process's resource (service.name) and the host's record of the stop.
            Assert.True(fixture.Traces.LogsExportedSince(mark, service, "Application is shutting down"),
                $"No log export from {service} told of its stop.");
        }
        finally
        {
            await fixture.StartAgainAsync(service);
        }
    }
}
