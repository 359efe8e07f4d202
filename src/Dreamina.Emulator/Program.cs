using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Dreamina.Emulator;

const string Usage = """
dreamina-emulator: a local stand-in for RunComfy's Model API (bytedance/dreamina-3-0/pro/image-to-video),
its account API and its storage, for trying the Dreamina PowerShell module without spending credits.

  dreamina-emulator [options]
  (from a clone of the repository: dotnet run --project src/Dreamina.Emulator -- [options])

  In PowerShell, Start-DreaminaEmulator (Emulator.psm1 beside the module's sources) starts it in the background,
  prints the Connect-Dreamina line to use, and Stop-DreaminaEmulator stops it.

  --urls URL                 API origin (default http://127.0.0.1:5080; port 0 picks a free one)
  --storage-urls URL         storage origin for videos and samples (default http://127.0.0.1:5081)
  --account-urls URL         account origin for the balance (default http://127.0.0.1:5082)
  --token TOKEN              the token to accept (default emulator-token; emulator-token-2 is a second user)
  --concurrency N            jobs that run at once (default 2)
  --run-seconds S            how long a job runs (default 90); a prompt may say #run=S for its own
  --queue-seconds S          least time a job waits queued (default 2)
  --time-scale X             real seconds per service second (default 1; 0.01 runs a 90 s job in 0.9 s)
  --fail-word WORD           a prompt containing WORD fails (default #fail)
  --failure-rate P           chance 0..1 that any job fails
  --failed-status-word W     what /status says for a failed job: completed (default) or failed
  --error-shape NAME         Natural, ErrorCode, Message, ErrorString, ErrorObject, DetailList, DetailString, PlainText
  --error-status-style NAME  CodePrefix (400004 -> 400, default) or Conventional (401, 402)
  --video-size BYTES         pad every video to this size (for download benchmarks)
  --accept-remote-images     accept non-loopback image URLs without fetching them
  --certificate PATH         PKCS#12 file (no password) for origins given as https:// URLs
  --public-storage-uri URI   the address video links name (a storage origin reached by another name)
  --latency-ms MS            delay every answer and every new connection, as a remote service would
  --price USD                the model's base price (default 0.5); 'none' leaves the price out
  --price-unit UNIT          request (default), output, second, or anything else (an unknown unit)
  --balance USD              each user's starting balance (default 1000); jobs beyond it get 400002
  --refuse-inline-images     refuse images sent inline as data URIs (a model that takes URLs only)
  --cost USD                 what a finished job's result says it cost (default: what it was charged)
  --no-cost                  leave cost out of results
  --queued-word W            the status word for a queued job (default in_queue; pending, waiting)
  --running-word W           the status word for a running job (default in_progress; starting, processing)
  --result-model-id ID       the model_id results name (default the emulated model)
  --prompt-max-length N      the longest prompt, in the schema and enforced (default 800)
  --max-image-mb MB          images must be smaller, in the schema and enforced (default 4.7)
  --fault-rate P             chance 0..1 that a request gets a fault
  --faults K1,K2             fault kinds: TooManyRequestsSeconds, TooManyRequestsDate, InternalServerError,
                             BadGateway, ServiceUnavailable, SlowResponse, DropConnection, ErrorIn200,
                             UnknownStatus, TruncatedDownload, Stall, StallMidBody, HtmlIn200, ShortChunked,
                             RedirectToFile, EchoToken, NoRequestId, UnreadableBody, UnknownLength, NotFound
  --fault-endpoints E1,E2    Submit, Status, Result, Cancel, Model, Download, Balance, Sample (default all)
  --fault-seed N             seed for faults and the failure rate (default 1)
  --detach                   run in a session of its own, so Ctrl+C in the terminal that started it does not
                             reach it (Start-DreaminaEmulator passes it; stop it with SIGTERM or Stop-DreaminaEmulator)
  --help                     this text

Counters: GET <api>/_emulator/stats. Sample images: GET <storage>/samples.
""";

var options = new EmulatorOptions();
string apiUrl = "http://127.0.0.1:5080", storageUrl = "http://127.0.0.1:5081", accountUrl = "http://127.0.0.1:5082";
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
        switch (args[i])
        {
            case "--help" or "-h" or "-?": Console.WriteLine(Usage); return 0;
            case "--urls": apiUrl = Next(); break;
            case "--detach": Detach(); break;
            case "--storage-urls": storageUrl = Next(); break;
            case "--account-urls": accountUrl = Next(); break;
            case "--token": options.Tokens = new[] { Next(), EmulatorOptions.SecondToken }; break;
            case "--concurrency": options.Concurrency = (int)Number(); break;
            case "--run-seconds": options.RunDuration = TimeSpan.FromSeconds(Number()); break;
            case "--queue-seconds": options.QueueDelay = TimeSpan.FromSeconds(Number()); break;
            case "--time-scale": options.TimeScale = Number(); break;
            case "--fail-word": options.FailWord = Next(); break;
            case "--failure-rate": options.FailureRate = Number(); break;
            case "--failed-status-word": options.FailedStatusWord = Next(); break;
            case "--error-shape": options.ErrorShape = Enum.Parse<ErrorShape>(Next(), ignoreCase: true); break;
            case "--error-status-style": options.ErrorStatusStyle = Enum.Parse<ErrorStatusStyle>(Next(), ignoreCase: true); break;
            case "--video-size": options.VideoSizeBytes = (long)Number(); break;
            case "--accept-remote-images": options.AcceptRemoteImages = true; break;
            case "--certificate": options.CertificatePath = Next(); break;
            case "--public-storage-uri": options.PublicStorageUri = new Uri(Next()); break;
            case "--latency-ms": options.Latency = TimeSpan.FromMilliseconds(Number()); break;
            case "--price": options.PriceUsd = Next() is var price && price == "none" ? null : decimal.Parse(price, CultureInfo.InvariantCulture); break;
            case "--price-unit": options.PriceUnit = Next(); break;
            case "--balance": options.Balance = decimal.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--refuse-inline-images": options.RefuseInlineImages = true; break;
            case "--cost": options.ReportedCost = decimal.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--no-cost": options.OmitCost = true; break;
            case "--queued-word": options.QueuedStatusWord = Next(); break;
            case "--running-word": options.RunningStatusWord = Next(); break;
            case "--result-model-id": options.ResultModelId = Next(); break;
            case "--prompt-max-length": options.PromptMaxLength = (int)Number(); break;
            case "--max-image-mb": options.MaxImageMegabytes = decimal.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--fault-rate": options.Faults.Rate = Number(); break;
            case "--faults": options.Faults.Kinds = List<FaultKind>(Next()); break;
            case "--fault-endpoints": options.Faults.Endpoints = List<EmulatorEndpoint>(Next()); break;
            case "--fault-seed": options.Faults.Seed = (int)Number(); break;
            default: throw new ArgumentException($"Unknown option '{args[i]}'. See --help.");
        }
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

await using var emulator = await RunComfyEmulator.StartAsync(options, apiUrl, storageUrl, accountUrl);
Console.WriteLine($"RunComfy emulator listening on {emulator.BaseUri}");
Console.WriteLine($"Storage origin: {emulator.StorageUri} (sample images at {emulator.SampleImage("street.png")})");
Console.WriteLine($"Account origin: {emulator.AccountUri} (balance at {emulator.AccountUri}prod/v2/balance)");
Console.WriteLine($"Token: {emulator.Token}");
Console.WriteLine($"Use it: Connect-Dreamina -BaseUri {emulator.BaseUri} -AccountUri {emulator.AccountUri} -Token (ConvertTo-SecureString {emulator.Token} -AsPlainText -Force)");
Console.WriteLine("Press Ctrl+C to stop.");
// Ctrl+C, a service manager's SIGTERM and SIGQUIT all stop both origins cleanly.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
await stop.Task;
Console.WriteLine("Stopping.");
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

// A session (and process group) of its own: the terminal's Ctrl+C goes to its foreground group, which this is not.
static void Detach()
{
    if (!OperatingSystem.IsWindows()) _ = setsid();
}

[DllImport("libc", SetLastError = true)]
static extern int setsid();

static T[] List<T>(string text) where T : struct, Enum
    => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => Enum.Parse<T>(k, ignoreCase: true)).ToArray();
