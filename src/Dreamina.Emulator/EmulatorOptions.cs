using System;
using System.Collections.Generic;

namespace Dreamina.Emulator;

/// <summary>How the emulator renders an error body: one per variant the contract lists.</summary>
public enum ErrorShape
{
    /// <summary>What RunComfy documents: <c>{"error_code":..,"error_message":..}</c>, and FastAPI's detail list for schema errors.</summary>
    Natural,
    ErrorCode,
    Message,
    ErrorString,
    ErrorObject,
    DetailList,
    DetailString,
    PlainText,
}

/// <summary>How an error code becomes an HTTP status (the contract is unsure).</summary>
public enum ErrorStatusStyle
{
    /// <summary>The first three digits of the code: 400004 is HTTP 400.</summary>
    CodePrefix,
    /// <summary>Conventional statuses: a bad token is 401, low balance 402.</summary>
    Conventional,
}

public enum FaultKind
{
    TooManyRequestsSeconds,
    TooManyRequestsDate,
    InternalServerError,
    BadGateway,
    ServiceUnavailable,
    SlowResponse,
    DropConnection,
    ErrorIn200,
    UnknownStatus,
    TruncatedDownload,
    /// <summary>Sends no answer at all: the request hangs until the client gives up.</summary>
    Stall,
    /// <summary>Sends the headers and half the body, then nothing more (downloads and images).</summary>
    StallMidBody,
    /// <summary>Answers a download with an HTML page and HTTP 200.</summary>
    HtmlIn200,
    /// <summary>Sends half a video, chunked, and ends the body cleanly, as if it were whole.</summary>
    ShortChunked,
    /// <summary>Redirects a download or an image to a file: address.</summary>
    RedirectToFile,
    /// <summary>Echoes the caller's token in the error text of a status or result answer.</summary>
    EchoToken,
    /// <summary>Accepts a submission (the job exists and is billed) but answers without a request id.</summary>
    NoRequestId,
    /// <summary>Accepts a submission but answers HTTP 200 with a body that is not JSON.</summary>
    UnreadableBody,
    /// <summary>Answers an image's range request with 206 and a total length of '*' (unknown).</summary>
    UnknownLength,
    /// <summary>Answers 404 with the error shape in force, as a gateway without that route would (model info, balance).</summary>
    NotFound,
}

public enum EmulatorEndpoint { Submit, Status, Result, Cancel, Model, Download, Balance, Sample }

/// <summary>Deterministic fault injection: each request draws from a generator seeded with <see cref="Seed"/>.</summary>
public sealed class FaultOptions
{
    public int Seed { get; set; } = 1;
    /// <summary>Chance (0..1) that a request gets a fault.</summary>
    public double Rate { get; set; }
    public IReadOnlyList<FaultKind> Kinds { get; set; } = Array.Empty<FaultKind>();
    /// <summary>Endpoints faults apply to; empty means all that a kind can apply to.</summary>
    public IReadOnlyCollection<EmulatorEndpoint> Endpoints { get; set; } = Array.Empty<EmulatorEndpoint>();
    /// <summary>After this many faults in a row on one endpoint and request id, the next request is served cleanly.</summary>
    public int MaxConsecutive { get; set; } = 3;
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(300);
}

public sealed class EmulatorOptions
{
    public const string DefaultToken = "emulator-token";
    public const string SecondToken = "emulator-token-2";

    /// <summary>Tokens the emulator accepts; a job belongs to the token that submitted it.</summary>
    public IReadOnlyList<string> Tokens { get; set; } = new[] { DefaultToken, SecondToken };
    /// <summary>Jobs that run at once (RunComfy's account default is 2).</summary>
    public int Concurrency { get; set; } = 2;
    /// <summary>How long a job runs, in service time (scaled by <see cref="TimeScale"/>).</summary>
    public TimeSpan RunDuration { get; set; } = TimeSpan.FromSeconds(90);
    /// <summary>The least time a job spends queued before it may start, in service time.</summary>
    public TimeSpan QueueDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Real seconds per service second: 0.01 makes a 90 s job take 0.9 s.</summary>
    public double TimeScale { get; set; } = 1.0;
    /// <summary>A prompt containing this word makes its job fail.</summary>
    public string FailWord { get; set; } = "#fail";
    /// <summary>Chance (0..1, seeded by the fault seed) that any job fails.</summary>
    public double FailureRate { get; set; }
    /// <summary>What <c>/status</c> says for a failed job: <c>completed</c> or <c>failed</c> (the contract is unsure).</summary>
    public string FailedStatusWord { get; set; } = "completed";
    public ErrorShape ErrorShape { get; set; } = ErrorShape.Natural;
    public ErrorStatusStyle ErrorStatusStyle { get; set; } = ErrorStatusStyle.CodePrefix;
    /// <summary>Size of every video served; the fixture is padded with an MP4 <c>free</c> box. 0 means the fixture as it is.</summary>
    public long VideoSizeBytes { get; set; }
    /// <summary>Accept image URLs the emulator cannot fetch (anything not on loopback) without checking them.</summary>
    public bool AcceptRemoteImages { get; set; }
    /// <summary>A PKCS#12 file (no password) whose certificate the https:// origins present.</summary>
    public string? CertificatePath { get; set; }
    /// <summary>The address finished jobs' video links name, when the storage origin is reached by another name (through a proxy).</summary>
    public Uri? PublicStorageUri { get; set; }
    public FaultOptions Faults { get; set; } = new FaultOptions();
    /// <summary>Delay before every answer of every origin, and before a new connection's first request: a remote service.</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>The model's price (<c>base_price_usd</c>); null leaves the price out of the model's info.</summary>
    public decimal? PriceUsd { get; set; } = 0.5m;
    /// <summary>What the price is for (<c>price_unit</c>): request, output or second are known; anything else tests the unknown.</summary>
    public string PriceUnit { get; set; } = "request";
    /// <summary>Each user's balance at start (USD); every accepted job takes its cost off it.</summary>
    public decimal Balance { get; set; } = 1000m;
    /// <summary>Refuse images sent inline as data URIs (a model that takes hosted URLs only).</summary>
    public bool RefuseInlineImages { get; set; }
    /// <summary>What a finished job's result says it cost when asked with include_cost; null says what it was charged.</summary>
    public decimal? ReportedCost { get; set; }
    /// <summary>Leave <c>cost</c> out of results, as a service that does not report it.</summary>
    public bool OmitCost { get; set; }
    /// <summary>The words /status and /result use for a queued and a running job (RunComfy's ComfyUI client also knows pending, waiting, starting, processing).</summary>
    public string QueuedStatusWord { get; set; } = "in_queue";
    public string RunningStatusWord { get; set; } = "in_progress";
    /// <summary>The <c>model_id</c> results name; another model's id tests a client that must not take its output.</summary>
    public string ResultModelId { get; set; } = RunComfyEmulator.ModelId;
    /// <summary>The longest prompt accepted, as the model's schema says and the submission enforces.</summary>
    public int PromptMaxLength { get; set; } = 800;
    /// <summary>An image must be smaller than this many megabytes (decimal), as the schema's validation says and the submission enforces.</summary>
    public decimal MaxImageMegabytes { get; set; } = 4.7m;

    /// <summary>What a job costs at the service's price: per second of video for a per-second price, else per job.</summary>
    internal decimal CostOf(int frames) => PriceUsd is not { } price ? 0m
        : PriceUnit.Equals("second", StringComparison.OrdinalIgnoreCase) ? price * ((frames - 1) / 24)
        : price;

    internal TimeSpan Scaled(TimeSpan serviceTime) => TimeSpan.FromTicks((long)(serviceTime.Ticks * TimeScale));
}
