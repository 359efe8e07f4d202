# Runs the Pester suite in a fresh pwsh (build.ps1 -Task Test starts it), with the exact Pester it was given, and
# writes the counts for build.ps1's closing line. Tests import the staged module named by -Manifest.
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $Manifest,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
    [string[]] $ExcludeTag = @('Live'),
    # Test files or folders to run; all of tests/Pester by default.
    [string[]] $Path = @($PSScriptRoot)
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath
$env:DREAMINA_TEST_MANIFEST = $Manifest
$env:DREAMINA_TEST_CONFIGURATION = $Configuration

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Filter.ExcludeTag = $ExcludeTag
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config

# A failure in BeforeAll fails its whole block without counting its tests: count it too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
New-Item -ItemType Directory -Path (Split-Path $SummaryPath) -Force | Out-Null
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } | ConvertTo-Json | Set-Content $SummaryPath
exit ([int]($failed -gt 0))
