# Minimal stand-ins for the few Microsoft.PowerShell.Utility and .Management cmdlets that the examples and help
# examples use. The engine hosted by the xUnit suite has only PowerShell's core cmdlets; on a machine with pwsh
# the Pester suite runs the same examples with the real cmdlets. Only what the examples need is implemented.

function Resolve-StandInPath([string] $Path) {
    $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Get-Date {
    param([string] $Format)
    if ($Format) { [datetime]::Now.ToString($Format) } else { [datetime]::Now }
}

function Join-Path {
    param([Parameter(Mandatory, Position = 0)] [string] $Path, [Parameter(Mandatory, Position = 1)] [string] $ChildPath)
    [System.IO.Path]::Combine($Path, $ChildPath)
}

function Write-Host {
    param([Parameter(Position = 0, ValueFromRemainingArguments)] $Object)
}

function Write-Verbose {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [string] $Message)
    $PSCmdlet.WriteVerbose($Message)
}

function Add-Content {
    param([Parameter(Mandatory, Position = 0)] [string] $Path, [Parameter(Mandatory, Position = 1, ValueFromPipeline)] $Value)
    process { [System.IO.File]::AppendAllText((Resolve-StandInPath $Path), "$Value`n") }
}

function Set-Content {
    param([Parameter(Mandatory, Position = 0)] [string] $Path, [Parameter(Mandatory, Position = 1, ValueFromPipeline)] $Value)
    begin { $lines = [System.Collections.Generic.List[string]]::new() }
    process { $lines.Add("$Value") }
    end { [System.IO.File]::WriteAllText((Resolve-StandInPath $Path), ($lines -join "`n") + "`n") }
}

function Read-Host {
    param([Parameter(Position = 0)] [string] $Prompt, [switch] $AsSecureString)
    # Answers a prompt for the token with the emulator's token, as a person would type it.
    if ($AsSecureString) { [System.Net.NetworkCredential]::new('', $StandInToken).SecurePassword } else { $StandInToken }
}

function ConvertTo-SecureString {
    param([Parameter(Mandatory, Position = 0)] [string] $String, [switch] $AsPlainText, [switch] $Force)
    [System.Net.NetworkCredential]::new('', $String).SecurePassword
}

function Get-ChildItem {
    param([Parameter(Position = 0)] [string] $Path = '.', [string[]] $Include = @('*'), [switch] $Recurse)
    $option = if ($Recurse) { [System.IO.SearchOption]::AllDirectories } else { [System.IO.SearchOption]::TopDirectoryOnly }
    foreach ($file in [System.IO.Directory]::EnumerateFiles((Resolve-StandInPath $Path), '*', $option)) {
        $name = [System.IO.Path]::GetFileName($file)
        if ($Include | Where-Object { $name -like $_ }) { [System.IO.FileInfo]::new($file) }
    }
}

function Import-Csv {
    param([Parameter(Mandatory, Position = 0)] [string] $Path)
    $lines = [System.IO.File]::ReadAllLines((Resolve-StandInPath $Path)) | Where-Object { $_.Trim() }
    $header = Split-CsvLine $lines[0]
    foreach ($line in $lines | Where-Object { $_ -ne $lines[0] }) {
        $cells = Split-CsvLine $line
        $row = [ordered]@{}
        for ($i = 0; $i -lt $header.Count; $i++) { $row[$header[$i]] = if ($i -lt $cells.Count) { $cells[$i] } else { $null } }
        [pscustomobject]$row
    }
}

# RFC 4180 fields: commas separate, double quotes enclose, "" is a quote.
function Split-CsvLine([string] $Line) {
    $cells = [System.Collections.Generic.List[string]]::new()
    $cell = [System.Text.StringBuilder]::new()
    $quoted = $false
    for ($i = 0; $i -lt $Line.Length; $i++) {
        $c = $Line[$i]
        if ($quoted -and $c -eq '"' -and $i + 1 -lt $Line.Length -and $Line[$i + 1] -eq '"') { [void]$cell.Append('"'); $i++ }
        elseif ($c -eq '"') { $quoted = -not $quoted }
        elseif ($c -eq ',' -and -not $quoted) { $cells.Add($cell.ToString()); [void]$cell.Clear() }
        else { [void]$cell.Append($c) }
    }
    $cells.Add($cell.ToString())
    , $cells.ToArray()
}
