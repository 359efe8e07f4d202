# The module's way: one pipeline for the whole batch. Prints READY when idle (module imported, connected), then
# one JSON line of what it measured itself. Images are distinct per job (URLs), or the files of -Folder.
param(
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $BaseUri,
    [Parameter(Mandatory)] [string] $AccountUri,
    [Parameter(Mandatory)] [string] $Storage,
    [Parameter(Mandatory)] [int] $Count,
    [Parameter(Mandatory)] [string] $Work,
    [string] $Folder,
    [string] $ImageStore,
    # Wait this many seconds, then stop (for a queue too deep to finish): no saving.
    [int] $WaitSeconds = -1
)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
Connect-Dreamina -BaseUri $BaseUri -AccountUri $AccountUri -Token (ConvertTo-SecureString 'emulator-token' -AsPlainText -Force) -JournalPath "$Work/jobs.jsonl" | Out-Null
if ($ImageStore) { Connect-Dreamina -ImageStore $ImageStore | Out-Null }
$inputs = if ($Folder) { Get-ChildItem $Folder -File } else { 0..($Count - 1) | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = "$Storage/samples/distinct-$_.jpg" } } }
[GC]::Collect()
"READY $PID"
$clock = [System.Diagnostics.Stopwatch]::StartNew()
if ($WaitSeconds -ge 0) {
    $jobs = $inputs | Start-DreaminaVideo
    $submitted = $clock.Elapsed.TotalSeconds
    "SUBMITTED"
    $done = @($jobs | Wait-DreaminaJob -Timeout $WaitSeconds).Count
}
else {
    $done = @($inputs | Start-DreaminaVideo -Prompt 'slow dolly-in' | Wait-DreaminaJob | Save-DreaminaVideo -Directory "$Work/clips").Count
    $submitted = $null
}
[pscustomobject]@{ wall = $clock.Elapsed.TotalSeconds; done = $done; submitted = $submitted; errors = $Error.Count; journalLines = @(Get-Content "$Work/jobs.jsonl").Count } | ConvertTo-Json -Compress
