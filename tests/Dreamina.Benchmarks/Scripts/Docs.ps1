# What a user writes from the service's documentation: submit, poll /status every 2 s, read /result, download;
# one job after another, or -Parallel jobs at a time with ForEach-Object -Parallel. Prints READY, then JSON.
param(
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $Storage,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $Work,
    [int] $Parallel = 0
)
$ErrorActionPreference = 'Stop'
$null = New-Item -ItemType Directory -Path "$Work/clips" -Force
$job = {
    param($i, $BaseUri, $Storage, $Work)
    $headers = @{ Authorization = 'Bearer emulator-token' }
    $body = @{ prompt = "shot $i"; image_urls = @("$Storage/samples/distinct-$i.jpg") } | ConvertTo-Json
    $submitted = Invoke-RestMethod -Method Post -Uri "$BaseUri/v1/models/bytedance/dreamina-3-0/pro/image-to-video" -Headers $headers -ContentType 'application/json' -Body $body
    do {
        Start-Sleep -Seconds 2
        $status = Invoke-RestMethod -Uri "$BaseUri/v1/requests/$($submitted.request_id)/status" -Headers $headers
    } while ($status.status -in 'in_queue', 'in_progress')
    $result = Invoke-RestMethod -Uri "$BaseUri/v1/requests/$($submitted.request_id)/result" -Headers $headers
    Invoke-WebRequest -Uri $result.output.video -OutFile "$Work/clips/$($submitted.request_id).mp4"
}
"READY $PID"
$clock = [System.Diagnostics.Stopwatch]::StartNew()
if ($Parallel -gt 0) {
    $text = $job.ToString()
    0..($Count - 1) | ForEach-Object -Parallel { & ([scriptblock]::Create($using:text)) $_ $using:BaseUri $using:Storage $using:Work } -ThrottleLimit $Parallel
}
else {
    foreach ($i in 0..($Count - 1)) { & $job $i $BaseUri $Storage $Work }
}
[pscustomobject]@{ wall = $clock.Elapsed.TotalSeconds; done = @(Get-ChildItem "$Work/clips" -Filter *.mp4).Count; errors = $Error.Count } | ConvertTo-Json -Compress
